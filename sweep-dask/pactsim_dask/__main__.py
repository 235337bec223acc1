"""``python -m pactsim_dask MANIFEST PARTS (--scheduler ADDRESS | --local N) [-o FILE]``."""

from __future__ import annotations

import argparse
import os
import sys

from . import SweepError, run_sweep


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pactsim_dask",
        description="Run a pactsim sweep's units on a Dask cluster and print the merged JSON document.",
    )
    parser.add_argument("manifest", help="the manifest `pactsim sweep plan` wrote")
    parser.add_argument("parts", help="the folder of parts (created when missing)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running scheduler, e.g. tcp://host:8786")
    where.add_argument("--local", metavar="N", type=int, help="a LocalCluster of N single-threaded worker processes")
    parser.add_argument("--binary", default=os.environ.get("PACTSIM_BIN", "pactsim"), help="the pactsim to run")
    parser.add_argument("--retries", type=int, default=3, help="runs again of a unit whose task failed")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the merged document here instead of stdout")
    args = parser.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    if args.local is not None:
        cluster = LocalCluster(
            n_workers=args.local, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
        client = Client(cluster)
    else:
        cluster = None
        client = Client(args.scheduler)
    try:
        merged = run_sweep(args.manifest, args.parts, client, binary=args.binary, retries=args.retries)
    except SweepError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if args.output:
        temporary = f"{args.output}.{os.getpid()}.tmp"
        with open(temporary, "wb") as file:
            file.write(merged)
        os.replace(temporary, args.output)
    else:
        sys.stdout.buffer.write(merged)
    return 0


if __name__ == "__main__":
    sys.exit(main())
