module docker_magics/oracle

go 1.24
