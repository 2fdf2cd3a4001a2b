"""``python -m liaison.linkage score PAIRS.csv``: `liaison match score` without Django.

The same code path (``pairs.score_csv``); useful where no Django settings
(SECRET_KEY) are configured, since scoring pairs needs no database.
"""
from __future__ import annotations

import argparse
import sys

from .pairs import PairsError, score_csv
from .scoring import Matcher


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m liaison.linkage")
    sub = parser.add_subparsers(dest="subcommand", required=True)
    score = sub.add_parser("score", help="score pairs of person records (CSV); - reads standard input")
    score.add_argument("pairs")
    score.add_argument("--params", help="JSON parameters (default: the shipped ones)")
    args = parser.parse_args(argv)
    try:
        matcher = Matcher.from_json(open(args.params, encoding="utf-8").read()) if args.params else None
        if args.pairs == "-":
            stream = open(sys.stdin.fileno(), encoding="utf-8-sig", closefd=False, newline="")
        else:
            stream = open(args.pairs, encoding="utf-8-sig", newline="")
        with stream:
            score_csv(stream, sys.stdout, matcher)
    except FileNotFoundError as error:
        print(f"Error: the file “{error.filename}” does not exist.", file=sys.stderr)
        return 1
    except UnicodeDecodeError:
        print(f"Error: “{args.pairs}” is not UTF-8 text. Save it as CSV UTF-8 and try again.", file=sys.stderr)
        return 1
    except (PairsError, ValueError, KeyError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
