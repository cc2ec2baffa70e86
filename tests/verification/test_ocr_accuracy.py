"""OCR accuracy on a generated set: the claimed number and name are found on at least 19 of 20
rasterised certificates (PNG and JPEG, upright, sideways and skewed). Prints one line per scan.
Not clock-dependent, so .ci/run leaves it out of the moved-clock reruns."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from app.verification import cross_checks, reading
from tests.verification import files

FIRST = ["Grace", "Ada", "José", "Zoë", "Katherine", "Alan", "Chiara", "Björn", "Mary", "Wei"]
LAST = ["Hopper", "Lovelace", "Núñez", "Okafor", "Johnson", "Turing", "Bianchi", "Lindqvist", "Jackson", "Zhang"]
TURNS = [0, 0, 90, -90, 2.5, -3, 0, 1.5, 90, -2]
SCANS = 20


def test_number_and_name_are_read_from_at_least_19_of_20_scans(app, capsys):
    rng = random.Random(23)
    found_number = found_name = 0
    started = time.perf_counter()
    lines = []
    for i in range(SCANS):
        first, last = FIRST[i % 10], LAST[(i * 3) % 10]
        number = f"IPEC-{rng.randrange(10_000, 99_999_999)}"
        when = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
        pdf = files.certificate_pdf(f"{first} {last}", number=number, certified_on=when.isoformat())
        fmt, turn = ("PNG", "JPEG")[i % 2], TURNS[i % len(TURNS)]
        scan = files.rasterise(pdf, fmt, turn=turn)
        read = reading.read(scan, False, "tesseract")
        number_ok = cross_checks.check_number(read, number).result.value == "pass"
        name_ok = cross_checks.check_name(read, first, last).result.value == "pass"
        found_number += number_ok
        found_name += name_ok
        lines.append(
            f"ocr scan {i + 1:2d} {fmt:4s} turned {turn:5.1f}°: number {'found' if number_ok else 'MISSED'}, "
            f"name {'found' if name_ok else 'MISSED'} (confidence {read.confidence}%)"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
        print(f"ocr accuracy: number {found_number}/{SCANS}, name {found_name}/{SCANS}, "
              f"{(time.perf_counter() - started) / SCANS:.2f} s per scan")  # fmt: skip
    assert (found_number >= 19, found_name >= 19) == (True, True)
