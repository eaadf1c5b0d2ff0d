"""The members' roll import at scale: a CSV of ``--members`` members in ``--branches``
branches imported into a fresh PostgreSQL database, then the same file again (every row
checked, nothing changed), then with a tenth of the rows changed.

Printed: seconds and members a second for each import, with the load average (the machine
is shared).

    .venv/bin/python bench/members.py --members 100000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cast import fresh_database, production_settings


def roll(members: int, branches: int, *, changed_every: int = 0) -> bytes:
    lines = ["number,name,email,date_of_birth,joined,standing,section,units"]
    for n in range(members):
        standing = "lapsed" if changed_every and n % changed_every == 0 else "active"
        lines.append(
            f"M{n:07d},Member Number{n},m{n}@example.org,1970-01-01,2015-01-01,{standing},"
            f"members,CLP1;B{n % branches}"
        )
    return ("\n".join(lines) + "\n").encode()


def units(branches: int) -> bytes:
    rows = ["kind,code,name,parent", "clp,CLP1,A constituency,"]
    rows += [f"branch,B{b},Branch {b},CLP1" for b in range(branches)]
    return ("\n".join(rows) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_members"
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--branches", type=int, default=50)
    args = parser.parse_args()
    production_settings(args.database_url)
    fresh_database(args.database_url)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from omov.web.contests.services import organisation_create, rulebook_load
    from omov.web.members.services import import_roll, import_units

    call_command("migrate", verbosity=0)
    organisation = organisation_create(name="Bench Party")
    rulebook_load(organisation=organisation, key="labour/2016")
    officer = get_user_model().objects.create_user("bench")
    import_units(organisation, units(args.branches), officer=officer)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    files = [
        ("first import", roll(args.members, args.branches)),
        ("same file again", roll(args.members, args.branches)),
        ("a tenth changed", roll(args.members, args.branches, changed_every=10)),
    ]
    for name, data in files:
        started = time.perf_counter()
        report = import_roll(organisation, data, officer=officer)
        took = time.perf_counter() - started
        print(
            f"{name:>16}: {took:6.1f} s, {args.members / took:8,.0f} members/s ({report}); "
            f"load average {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
