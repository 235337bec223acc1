"""The OpenAPI document of `pactsim serve`, read by an independent validator.

Starts `pactsim serve` (PACTSIM_BIN, default target/release/pactsim) on a free loopback port with a
fresh store, fetches `/openapi.json` and checks:

- it is a valid OpenAPI 3.1 document (openapi-spec-validator, which carries the OpenAPI
  Initiative's own schema for 3.1);
- every route of shared/contracts/service.md is in it with its method, and every operation the
  document lists is one the server has (its method is not refused with 405) and answers without a
  5xx;
- the documented answers include the contract's codes for the routes that have them.

    PACTSIM_BIN=target/release/pactsim target/oracle-venv/bin/python oracles/check_openapi.py
"""

import sys
import tempfile
import urllib.error
import urllib.request

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from served import Server, check, failures

# The contract's routes (shared/contracts/service.md), as the document names its paths.
CONTRACT = {
    ("get", "/v1/deals"),
    ("get", "/v1/deals/{id}"),
    ("post", "/v1/check"),
    ("post", "/v1/runs"),
    ("get", "/v1/runs"),
    ("get", "/v1/runs/{id}"),
    ("get", "/v1/runs/{id}/result"),
    ("get", "/v1/runs/{id}/years.csv"),
    ("delete", "/v1/runs/{id}"),
}
# Answers the contract names for a route.
CODES = {
    ("post", "/v1/check"): {"200", "422"},
    ("post", "/v1/runs"): {"202", "413", "422", "429"},
    ("get", "/v1/runs/{id}/result"): {"200", "409"},
}

def status(url, method):
    request = urllib.request.Request(url, method=method.upper(), data=b"" if method in ("post", "put") else None)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def main():
    with tempfile.TemporaryDirectory() as folder:
        server = Server(folder)
        url = server.url
        try:
            document = server.json("/openapi.json")
            check(document.get("openapi", "").startswith("3.1"), f"openapi is {document.get('openapi')!r}, not 3.1.x")
            try:
                validate(document)
            except OpenAPIValidationError as error:
                check(False, f"not a valid OpenAPI document: {error}")

            documented = {
                (method, path)
                for path, item in document.get("paths", {}).items()
                for method in item
                if method in ("get", "put", "post", "delete", "patch")
            }
            for route in sorted(CONTRACT - documented):
                check(False, f"the contract's route {route[0].upper()} {route[1]} is not in the document")
            for route, codes in CODES.items():
                answers = set(document["paths"].get(route[1], {}).get(route[0], {}).get("responses", {}))
                for code in sorted(codes - answers):
                    check(False, f"{route[0].upper()} {route[1]} does not document the contract's {code}")

            # Every documented operation exists: called with a made-up id and no body it may answer
            # 4xx (no such run, a bad body), but never 405 (no such method there) or 5xx.
            for method, path in sorted(documented):
                concrete = path.replace("{id}", "kr-us-2025-mou" if path.startswith("/v1/deals") else "0")
                concrete = concrete.replace("{name}", "none")
                code = status(url + concrete, method)
                check(code != 405, f"{method.upper()} {path} is documented but answers 405")
                check(code < 500, f"{method.upper()} {path} answers {code}")
            check(status(url + "/v1/no-such-route", "get") == 404, "an unknown route does not answer 404")
            print(f"check_openapi: {len(documented)} operations, OpenAPI {document['openapi']}, valid")
        finally:
            server.stop()
    if failures:
        print(f"check_openapi: {len(failures)} failure(s)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
