"""What the tests share and are not tests themselves: stand-ins for pure-logic tests, and helpers for the real ones.

- :mod:`.fakes`: a fake docker-py ``APIClient`` for unit tests of pure logic (never in tests/integration);
- :mod:`.loopback`: a scripted HTTP server on loopback (cut, dripped and hostile answers);
- :mod:`.registry_standin`: a Registry HTTP API stand-in with manifests, indexes and blobs;
- :mod:`.credentials`: credential helpers installed on PATH for a test;
- :mod:`.fuzz`: hypothesis strategies of command lines;
- :mod:`.gooracle`: Go's own text/template, built from tests/oracle, as the --format oracle;
- :mod:`.lifecycle`, :mod:`.platforms`, :mod:`.registry`: images, archives and logins made on the real sandbox
  engine and registry for the integration tests.
"""
