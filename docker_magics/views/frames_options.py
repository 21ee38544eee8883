"""Display options of frames, set from ``%config DockerMagics.*`` without importing pandas."""

#: Rows a listing shows when displayed; the DataFrame itself keeps every row.
display_rows: int = 60
