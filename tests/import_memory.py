"""One import in a fresh process, reporting its peak memory: `python -m tests.import_memory`.

Modes: `rows N` (a people CSV of N rows), `bomb BYTES` (an .xlsx inflating to BYTES) – both
checked against an organisation that is not saved, so no database is touched – and
`people N` (a real import of 20,000 units and N people into the database of DATABASE_URL).
Prints JSON on its last line: peak resident memory (MB) beyond the process at start, seconds,
the first error and the number of errors.
"""

import json
import resource
import sys
import time


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    fork and exec, so a child of a large test process would report its parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(mode: str, size: int) -> dict:
    import django

    django.setup()
    from django.utils import translation

    translation.activate("en")  # the tests read the messages in English
    from tests.bombs import csv_rows, xlsx_bomb
    from tillit.org.import_jobs import run_import
    from tillit.org.models import Organisation

    if mode == "people":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        organisation = Organisation.objects.create(slug="big", name="Big")
        units = ["unit_id,parent_id,name", "K,,Kommun"]
        units += [f"U{n},K,Enhet {n}" for n in range(20_000)]
        result = run_import(organisation, "units", "\n".join(units).encode())
        assert result.ok, result.errors[:3]
        lines = ["email,unit_id,name,birth_year,start_date,gender"]
        lines += [
            f"person{n}@big.example.org,U{n % 20_000},Person {n},{1960 + n % 40},2020-01-01,f"
            for n in range(size)
        ]
        content, kind, filename = "\n".join(lines).encode(), "people", "people.csv"
    elif mode == "wide":  # as many cells as the budget allows, every one a distinct text
        width = 16
        lines = [",".join(["email", "unit_id", "name", *(f"x{n}" for n in range(width - 3))])]
        lines += [",".join(f"{n}-{c}" for c in range(width)) for n in range(size // width)]
        content, kind, filename = "\n".join(lines).encode(), "people", "people.csv"
        organisation = Organisation(slug="wide", name="Wide")
    elif mode == "rows":
        content, kind, filename = csv_rows(size), "people", "people.csv"
        organisation = Organisation(slug="rows", name="Rows")
    else:
        content, kind, filename = xlsx_bomb(size), "people", "people.xlsx"
        organisation = Organisation(slug="bomb", name="Bomb")
    base = peak_mb()
    start = time.monotonic()
    result = run_import(organisation, kind, content, filename)
    return {
        "mb": round(peak_mb() - base, 1),
        "peak_mb": round(peak_mb(), 1),
        "file_mb": round(len(content) / 1e6, 1),
        "seconds": round(time.monotonic() - start, 2),
        "errors": len(result.errors),
        "first": str(result.errors[0]) if result.errors else "",
        "summary": result.summary,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
