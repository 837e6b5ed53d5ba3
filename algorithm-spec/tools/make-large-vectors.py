#!/usr/bin/env python3
"""Writes the large random allocation vectors (SPEC.md §10.1).

Deterministic: a fixed seed per file and a self-contained PRNG (splitmix64), so the same
script always writes the same bytes on every machine and Python version. The files get
"expected": {"sha256": ""}; run algorithm-spec/regenerate-vectors.sh afterwards, which
fills in the SHA-256 of the canonical allocation output (the full output is too large to
review, the small vectors are where the rules are checked by hand).

Usage: python3 algorithm-spec/tools/make-large-vectors.py   (from any directory)
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "vectors", "allocation")

# name, seed, applicants, kindergartens, districts
INSTANCES = [
    ("027-large-random-2000-applicants", 2027_0001, 2000, 40, 8),
    ("028-large-random-3000-applicants", 2027_0002, 3000, 60, 10),
    ("029-large-random-5000-applicants", 2027_0003, 5000, 90, 12),
]

GROUPS = ["early", "junior", "middle", "senior", "preparatory"]


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def below(self, n):
        """Uniform integer in [0, n) (rejection sampling, no modulo bias)."""
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            x = self.next()
            if x < limit:
                return x % n

    def chance(self, percent):
        return self.below(100) < percent

    def pick(self, items):
        return items[self.below(len(items))]


def instance(seed, n_applicants, n_kgs, n_districts):
    rng = SplitMix64(seed)
    districts = [f"d{i:02d}" for i in range(1, n_districts + 1)]
    kgs = []
    for i in range(1, n_kgs + 1):
        home = districts[(i - 1) % n_districts]
        catchment = [home] if rng.chance(80) else []
        if catchment and rng.chance(25):
            other = rng.pick(districts)
            if other != home:
                catchment.append(other)
        kgs.append({"id": f"kg-{i:03d}", "district": home, "catchment": catchment})
    by_district = {d: [k["id"] for k in kgs if k["district"] == d] for d in districts}
    programs = []
    for k in kgs:
        for g in GROUPS:
            r = rng.below(100)
            if r < 15:
                continue  # no program for this age group here
            seats = 0 if r < 22 else 1 + rng.below(12)
            programs.append({"kindergarten": k["id"], "group": g, "seats": seats})
    applicants = []
    # Registration instants: 2026-01-01 .. 2027-04-30, at whole minutes, with deliberate
    # collisions (batches entered at the same instant) so the seq tie-break matters.
    base_minutes = 29_453_760  # 2026-01-01T00:00Z in minutes since the Unix epoch
    span_minutes = 485 * 24 * 60
    seqs = list(range(100, 100 + n_applicants))
    for i in range(n_applicants - 1, 0, -1):  # Fisher–Yates with our PRNG
        j = rng.below(i + 1)
        seqs[i], seqs[j] = seqs[j], seqs[i]
    previous = None
    for i in range(n_applicants):
        if previous is not None and rng.chance(4):
            minute = previous  # same instant as the previous application
        else:
            minute = base_minutes + rng.below(span_minutes)
        previous = minute
        t = minute * 60
        registered = _instant(t)
        # Birth months 2019-06 .. 2027-03: some too old (archived), some too young.
        months = rng.below(94)
        year, month = 2019 + (5 + months) // 12, (5 + months) % 12 + 1
        district = rng.pick(districts)
        near = by_district[district]
        prefs = []
        for _ in range(1 + rng.below(5)):
            k = rng.pick(near) if near and rng.chance(60) else rng.pick(kgs)["id"]
            if k not in prefs:
                prefs.append(k)
        r = rng.below(100)
        desired = "2027-09-01" if r < 70 else ("2027-06-01" if r < 80 else ("2028-01-15" if r < 92 else "2028-09-01"))
        claims = []
        if rng.chance(3):
            claims.append({"tier": "extraordinary", "verified": rng.chance(75)})
        if rng.chance(12):
            claims.append({"tier": "first", "verified": rng.chance(70)})
        if rng.chance(10):
            claims.append({"tier": "sibling", "kindergarten": rng.pick(prefs) if rng.chance(85) else rng.pick(kgs)["id"],
                           "verified": rng.chance(80)})
        applicants.append({
            "number": f"{rng.below(1 << 32):08X}",
            "seq": seqs[i],
            "registeredAt": registered,
            "birthMonth": f"{year:04d}-{month:02d}",
            "district": district,
            "preferences": prefs,
            "desiredStart": desired,
            "claims": claims,
        })
    # Application numbers are random pseudonyms; make them unique deterministically.
    seen = set()
    for a in applicants:
        while a["number"] in seen:
            a["number"] = f"{rng.below(1 << 32):08X}"
        seen.add(a["number"])
    return {
        "criteria": "../../criteria/default.json",
        "date": "2027-05-01",
        "startDate": "2027-09-01",
        "kindergartens": kgs,
        "programs": programs,
        "applicants": applicants,
    }


def _instant(seconds):
    days, rest = divmod(seconds, 86400)
    y, m, d = _civil(days)
    return f"{y:04d}-{m:02d}-{d:02d}T{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}.000Z"


def _civil(days):
    """Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + 1 if m <= 2 else y), m, d


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, seed, n, k, d in INSTANCES:
        doc = {
            "description": (
                f"Large random instance: {n} applicants, {k} kindergartens in {d} districts, programs for the five default "
                f"age groups with 0-12 seats (some missing), random catchments, verified and unverified extraordinary, "
                f"first and sibling claims, desired starts up to 2028-09-01 (deferred), birth months from 2019-06 (archived) "
                f"to 2027-03 (no age group), and batches of applications registered at the same instant. Generated by "
                f"algorithm-spec/tools/make-large-vectors.py (splitmix64, seed {seed}); expected holds the SHA-256 of the "
                f"canonical allocation output."),
            "input": instance(seed, n, k, d),
            "expected": {"sha256": ""},
        }
        path = os.path.join(OUT, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=2)
            f.write("\n")
        print(f"wrote {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
