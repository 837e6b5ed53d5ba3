#!/usr/bin/env python3
"""Writes the anomaly-signal vectors (SPEC.md §17.8): algorithm-spec/vectors/signals/*.json.

Each vector is a list of replay steps (SPEC.md §10: events offered to the fold, rounds computed)
under the published default criteria with small thresholds, so that a rule is reached with a
handful of entries; for every rule one vector makes it fire and one stops exactly at its threshold.
The files get "expected": {}; run algorithm-spec/regenerate-vectors.sh afterwards, which fills
in the signals document kq computes (review the diff: the descriptions say what must happen).

Usage: python3 algorithm-spec/tools/make-signal-vectors.py   (from any directory)
"""
import copy
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "vectors", "signals")
DEFAULT = os.path.join(HERE, "..", "criteria", "default.json")

THRESHOLDS = {
    "backdateMaxCount": 2, "backdateMinHours": 24,
    "capacityCutMinSeats": 2, "capacityCutWindowDays": 10,
    "capacityDeadlineDay": 1, "capacityDeadlineMonth": 3,
    "claimBurstKindergartenSharePercent": 50, "claimBurstMaxCount": 2, "claimBurstStaffSharePercent": 50,
    "exceptionalMaxPerKindergartenYear": 1,
    "lateClaimMaxCount": 0, "lateClaimWindowDays": 7,
    "positionLossMaxApplicants": 2, "positionLossMinPlaces": 0,
    "staffChangeMaxCount": 1, "staffChangeWindowDays": 7,
}

OUTCOMES = [
    {"id": "data-error", "name": {"ru": "Ошибка в данных", "en": "Data error"}},
    {"id": "justified", "name": {"ru": "Обосновано", "en": "Justified"}},
    {"id": "violation", "name": {"ru": "Нарушение", "en": "Violation"}},
]

DEPARTMENT = "department:d-1"
REGISTRAR = "registrar:r-1"
VERIFIER = "verifier:v-1"
INSPECTOR = "inspector:i-1"


def criteria(**overrides):
    with open(DEFAULT, encoding="utf-8") as f:
        c = json.load(f)
    c.pop("signals", None)
    c["reasons"]["signalOutcome"] = OUTCOMES
    t = dict(THRESHOLDS)
    t.update(overrides)
    c["signals"] = t
    return c


def at(y, m, d, minute=0, hour=6):
    """09:00 Moscow (06:00 UTC) on the date, plus minutes."""
    h, mi = hour + minute // 60, minute % 60
    return f"{y:04d}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:00.000Z"


def ev(when, actor, type_, payload):
    return {"at": when, "actor": actor, "type": type_, "payload": payload}


def round_step(id_, date, start="2027-09-01"):
    y, m, d = map(int, date.split("-"))
    return {"at": at(y, m, d, 60), "actor": "allocator:a-1", "round": {"id": id_, "date": date, "startDate": start}}


def world(seats=10, load_kg2=True, **overrides):
    rows = [{"kindergarten": "kg-1", "group": "junior", "year": 2027, "seats": seats}]
    if load_kg2:
        rows.append({"kindergarten": "kg-2", "group": "junior", "year": 2027, "seats": seats})
    return [
        ev(at(2026, 12, 1), DEPARTMENT, "criteria.published", {"criteria": criteria(**overrides)}),
        ev(at(2026, 12, 2), DEPARTMENT, "district.registered", {"id": "central", "name": "Центральный район"}),
        ev(at(2026, 12, 2), DEPARTMENT, "district.registered", {"id": "north", "name": "Северный район"}),
        ev(at(2026, 12, 3), DEPARTMENT, "kindergarten.registered", {"id": "kg-1", "name": "Детский сад № 1", "district": "central", "catchment": ["central"]}),
        ev(at(2026, 12, 3), DEPARTMENT, "kindergarten.registered", {"id": "kg-2", "name": "Детский сад № 2", "district": "north", "catchment": []}),
        ev(at(2027, 1, 10), DEPARTMENT, "capacity.loaded", {"reason": "annual-plan", "rows": rows}),
    ]


def submitted(number, prefs, when, registered=None, actor="parent:p-1", channel="portal", district="central", claims=()):
    return ev(when, actor, "application.submitted", {
        "number": number, "kind": "new", "channel": channel, "registeredAt": registered or when, "birthMonth": "2024-03",
        "district": district, "preferences": list(prefs), "desiredStart": "2027-09-01", "claims": list(claims),
        "commitment": "0" * 64})


def capacity(when, kg, seats, reason="renovation"):
    return ev(when, DEPARTMENT, "capacity.loaded", {"reason": reason, "rows": [{"kindergarten": kg, "group": "junior", "year": 2027, "seats": seats}]})


def verified(number, when, actor=VERIFIER, ok=True):
    return ev(when, actor, "claim.reviewed", {"number": number, "claim": 0, "verified": ok, "reason": "document-confirmed" if ok else "document-missing"})


FIRST = {"tier": "first", "kindergarten": None}


def signal_id(kind, **subject):
    key = {k: subject.get(k) for k in ("actor", "channel", "district", "kindergarten", "month", "round", "year")}
    text = kind + "\n" + json.dumps(key, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return "sig-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def review(when, signal, status, outcome="justified", text="Проверено."):
    return ev(when, INSPECTOR, "signal.reviewed", {
        "explanation": hashlib.sha256(text.encode("utf-8")).hexdigest(), "outcome": outcome, "signal": signal, "status": status})


def claimants(n, kg="kg-1", claim=FIRST, start=0):
    return [submitted(f"C-{k}", [kg], at(2027, 2, 1, k), claims=[claim]) for k in range(start, start + n)]


def backdated(k, gap_minutes, actor=REGISTRAR, channel="centre"):
    # Entry at 2027-02-01 06:k UTC; registeredAt gap_minutes earlier.
    total = 6 * 60 + k - gap_minutes
    day, minute = 1, total
    while minute < 0:
        day -= 1
        minute += 24 * 60
    y, m, d = (2027, 2, day) if day >= 1 else (2027, 1, 31 + day)
    reg = f"{y:04d}-{m:02d}-{d:02d}T{minute // 60:02d}:{minute % 60:02d}:00.000Z"
    return submitted(f"B-{k}", ["kg-1"], at(2027, 2, 1, k), registered=reg, actor=actor, channel=channel)


VECTORS = []


def vector(name, description, steps):
    VECTORS.append((name, description, steps))


# §17.3.1 capacity cut before a round
vector("capacity-cut-fires", "kg-1 has 10 junior seats for 2027; on 2027-04-21, the first day of the 10-day window before the round of 2027-05-01, they are cut to 7. Three seats removed is more than capacityCutMinSeats 2: capacity-cut-before-round is raised at the round's entry (seq 7), subject {round 2027-main, year 2027}, value 3, entries [6, 7].",
       world() + [capacity(at(2027, 4, 21), "kg-1", 7), round_step("2027-main", "2027-05-01")])
vector("capacity-cut-at-threshold", "As capacity-cut-fires, but the cut removes exactly 2 seats (10 → 8), and a cut of 3 seats at kg-2 on 2027-04-20 lies one day before the window: 2 is not more than capacityCutMinSeats 2, so no signal.",
       world() + [capacity(at(2027, 4, 20), "kg-2", 7), capacity(at(2027, 4, 21), "kg-1", 8), round_step("2027-main", "2027-05-01")])

# §17.3.2 backdated registrations
pre = [round_step("2027-pre", "2027-01-20")]
vector("backdated-fires", "After the first round (2027-pre), registrar r-1 records three centre registrations each dated 24 h 1 min before its entry in February 2027: the third passes backdateMaxCount 2 and raises backdated-registrations at its entry (subject actor registrar:r-1, channel centre, month 2027-02; entries the three submissions, value 3). A fourth joins: value 4, four entries, same id and raisedSeq.",
       world() + pre + [backdated(k, 24 * 60 + 1) for k in range(4)])
vector("backdated-at-threshold", "Registrations dated exactly 24 h before their entry are not backdated (the gap must exceed backdateMinHours); four more than 24 h earlier but recorded before the first round are the migration of the earlier queue and are not counted either. No signal.",
       world() + [backdated(k, 30 * 24 * 60) for k in range(4)] + pre + [backdated(10 + k, 24 * 60) for k in range(4)])

# §17.3.3 claim bursts
vector("claim-burst-staff-fires", "verifier:v-1 verifies three first-priority claims at kg-1 in March 2027, all of the region's verifications that month: 3 is more than claimBurstMaxCount 2 and 100 % more than claimBurstStaffSharePercent 50, so claim-burst-staff (actor verifier:v-1, month 2027-03) and claim-burst-kindergarten (kg-1, central, 2027-03) are raised at the third review.",
       world() + claimants(3) + [verified(f"C-{k}", at(2027, 3, 2, k)) for k in range(3)])
vector("claim-burst-staff-at-threshold", "verifier:v-2 verifies three claims at kg-2 (raising claim-burst-staff and claim-burst-kindergarten for them), then verifier:v-1 three at kg-1: at v-1's third, v-1 and kg-1 hold 3 of the region's 6 verifications in March, exactly 50 %, not more than the share: no signal for v-1 or kg-1.",
       world() + claimants(3, "kg-2") + claimants(3, "kg-1", start=3)
       + [verified(f"C-{k}", at(2027, 3, 2, k), "verifier:v-2") for k in range(3)]
       + [verified(f"C-{k}", at(2027, 3, 2, k), VERIFIER) for k in range(3, 6)])
sibling = {"tier": "sibling", "kindergarten": "kg-2"}
vector("claim-burst-kindergarten-fires", "Three sibling claims at kg-2 (the applications prefer kg-1) are verified in March by three different verifiers: no staff burst (one each), but kg-2 holds 3 verifications, 100 % of the region's: claim-burst-kindergarten (district north, kindergarten kg-2, month 2027-03) at the third review.",
       world() + claimants(3, "kg-1", sibling) + [verified(f"C-{k}", at(2027, 3, 2, k), f"verifier:v-{k + 1}") for k in range(3)])
vector("claim-burst-kindergarten-at-threshold", "Two verified sibling claims at kg-2 and two rejected ones: rejections are not counted, and two is claimBurstMaxCount, not more. No signal.",
       world() + claimants(4, "kg-1", sibling)
       + [verified("C-0", at(2027, 3, 2, 0)), verified("C-1", at(2027, 3, 2, 1), ok=False), verified("C-2", at(2027, 3, 2, 2)), verified("C-3", at(2027, 3, 2, 3), ok=False)])

# §17.3.4 claims verified just before an offer
def late_claim(verified_on, claim=FIRST, seats=1, **overrides):
    y, m, d = verified_on
    return world(seats=seats, **overrides) + [
        submitted("A-1", ["kg-1"], at(2027, 2, 1), district="north"),
        submitted("L-1", ["kg-1"], at(2027, 2, 2), actor="parent:p-2", district="north", claims=[claim]),
        verified("L-1", at(y, m, d)),
        round_step("2027-main", "2027-05-01")]
vector("claim-verified-before-offer-fires", "kg-1 has one junior seat. A-1 (general) registered before L-1, whose first-priority claim is verified on 2027-04-24, the first day of the 7-day window before the round: the round offers the seat to L-1, whose tier at kg-1 comes from that claim. One offer is more than lateClaimMaxCount 0: claim-verified-before-offer (round 2027-main, year 2027) at the round, entries [the review, the round].",
       late_claim((2027, 4, 24)))
vector("claim-verified-before-offer-at-threshold", "As claim-verified-before-offer-fires with lateClaimMaxCount 1: one such offer is the threshold, not more. No signal.",
       late_claim((2027, 4, 28), lateClaimMaxCount=1))
vector("claim-verified-before-offer-not-tier-giving", "kg-1 has two seats; L-1's sibling claim at kg-2 is verified within the window, but L-1 is offered kg-1, where the claim gives no tier. A claim verified on 2027-04-23 (the day before the window) would not count either. No signal.",
       late_claim((2027, 4, 28), sibling, seats=2))

# §17.3.5 capacity not loaded by the deadline
vector("capacity-not-loaded-fires", "kg-2 loads no 2027 seats by the deadline 03-01. An entry on 2027-03-01 raises nothing (the data may come that day); the first entry dated after it (2027-03-02, seq 7) raises capacity-not-loaded (district north, kindergarten kg-2, year 2027; value 1 day; entries [4 = kg-2's registration, 7]). The load on 2027-03-11 joins it: value 10 days, entries [4, 7, 8].",
       world(load_kg2=False) + [
           ev(at(2027, 3, 1), DEPARTMENT, "district.registered", {"id": "south", "name": "Южный район"}),
           ev(at(2027, 3, 2), DEPARTMENT, "district.registered", {"id": "east", "name": "Восточный район"}),
           capacity(at(2027, 3, 11), "kg-2", 5, "annual-plan")])
vector("capacity-not-loaded-at-threshold", "kg-2 loads its 2027 seats on the deadline day itself, 2027-03-01, and kg-3 is registered only after the deadline: nobody is late. No signal.",
       world(load_kg2=False) + [
           capacity(at(2027, 3, 1), "kg-2", 5, "annual-plan"),
           ev(at(2027, 3, 2), DEPARTMENT, "kindergarten.registered", {"id": "kg-3", "name": "Детский сад № 3", "district": "north", "catchment": []}),
           ev(at(2027, 3, 3), DEPARTMENT, "district.registered", {"id": "east", "name": "Восточный район"})])

# §17.3.6 exceptional enrolments
def exceptional(number, kg, when, basis="court-decision"):
    return ev(when, DEPARTMENT, "enrolment.exceptional", {"number": number, "kindergarten": kg, "group": "junior", "year": 2027, "legalBasis": basis})
vector("exceptional-enrolments-fires", "Two enrolments outside the algorithm at kg-1 for 2027 (and one at kg-2): the second at kg-1 passes exceptionalMaxPerKindergartenYear 1 and raises exceptional-enrolments (central, kg-1, year 2027, value 2); a third at kg-1 joins it (value 3).",
       world() + claimants(4) + [exceptional("C-0", "kg-1", at(2027, 3, 1)), exceptional("C-1", "kg-2", at(2027, 3, 1, 1)),
                                 exceptional("C-2", "kg-1", at(2027, 3, 2), "prosecutor-order"), exceptional("C-3", "kg-1", at(2027, 3, 3))])
vector("exceptional-enrolments-at-threshold", "One enrolment outside the algorithm at each of kg-1 and kg-2: one per kindergarten and year is the threshold. No signal.",
       world() + claimants(2) + [exceptional("C-0", "kg-1", at(2027, 3, 1)), exceptional("C-1", "kg-2", at(2027, 3, 1, 1))])

# §17.3.7 staff changes before a round
def changed(number, when, actor):
    return ev(when, actor, "application.changed", {"number": number, "preferences": ["kg-2"], "desiredStart": "2027-09-01"})
def withdrawn(number, when, actor):
    return ev(when, actor, "application.withdrawn", {"number": number, "reason": "parent-request"})
vector("staff-changes-before-round-fires", "registrar:r-1 changes one application on 2027-04-24 (the first day of the 7-day window) and withdraws one on 04-25; its change on 04-23 is outside the window, and a parent's change and a withdrawal relayed by the federal portal are not staff actions. Two is more than staffChangeMaxCount 1: staff-changes-before-round (actor registrar:r-1, round 2027-main, year 2027) at the round, entries [the change, the withdrawal, the round].",
       world() + claimants(5) + [changed("C-0", at(2027, 4, 24), REGISTRAR), withdrawn("C-1", at(2027, 4, 25), REGISTRAR),
                                 changed("C-2", at(2027, 4, 23), REGISTRAR), changed("C-3", at(2027, 4, 26), "parent:p-1"),
                                 withdrawn("C-4", at(2027, 4, 27), "federal-portal"), round_step("2027-main", "2027-05-01")])
vector("staff-changes-before-round-at-threshold", "Two staff members make one change each within the window: one per actor is the threshold. No signal.",
       world() + claimants(2) + [changed("C-0", at(2027, 4, 28), REGISTRAR), withdrawn("C-1", at(2027, 4, 28), "registrar:r-2"),
                                 round_step("2027-main", "2027-05-01")])

# §17.3.9 mass position loss
def overtaken(ahead, **overrides):
    return world(**overrides) + [submitted(f"Q-{k}", ["kg-1"], at(2027, 2, 1, k), district="north") for k in range(ahead)] + [
        submitted("M-1", ["kg-1"], at(2027, 2, 2), actor="parent:p-2", district="north", claims=[FIRST]),
        verified("M-1", at(2027, 3, 2))]
vector("mass-position-loss-fires", "Three general applications wait at kg-1; verifying M-1's first-priority claim moves it ahead of all three, who each lose one place through that one entry: 3 applications losing more than positionLossMinPlaces 0 is more than positionLossMaxApplicants 2. mass-position-loss (actor verifier:v-1, month 2027-03) at the review.",
       overtaken(3))
vector("mass-position-loss-at-threshold", "Two applications lose a place through the review: two is positionLossMaxApplicants, not more. No signal.",
       overtaken(2))
vector("mass-position-loss-min-places", "Five applications lose one place each, with positionLossMinPlaces 1: losing exactly one place is not losing more than one. No signal.",
       overtaken(5, positionLossMinPlaces=1))

# §17.6 reviews
cut = signal_id("capacity-cut-before-round", round="2027-main", year=2027)
changes = signal_id("staff-changes-before-round", actor=REGISTRAR, round="2027-main", year=2027)
raised = world() + claimants(2) + [capacity(at(2027, 4, 25), "kg-1", 5), changed("C-0", at(2027, 4, 26), REGISTRAR),
                                   changed("C-1", at(2027, 4, 27), REGISTRAR), round_step("2027-main", "2027-05-01")]
vector("review-workflow", "One round raises two signals. The inspector starts investigating the capacity cut 30 min after the round, then explains it a day later (justified); the staff changes are investigated after 2 h and confirmed as a violation on 2027-06-01. Summary: 1 explained, 1 confirmed; first responses 1800 s and 7200 s (median 1800, p90 7200, one within the hour); confirmed by month: 2027-06 → 1.",
       raised + [review(at(2027, 5, 1, 90), cut, "investigating"), review(at(2027, 5, 1, 180), changes, "investigating"),
                 review(at(2027, 5, 2, 60), cut, "explained", "justified", "Ремонт кровли по предписанию."),
                 review(at(2027, 6, 1), changes, "confirmed", "violation", "Изменения внесены без заявлений родителей.")])
vector("review-problems", "Reviews the fold accepts (well-formed) but the ledger refuses: one of a signal no rule raised (signal.review-unknown), and moving the explained capacity-cut signal to confirmed (signal.review-transition: explained is final). Both are reported with their seq and change nothing. An outcome that is not a published code is refused by the fold itself (reason.unknown, listed under rejected).",
       raised + [review(at(2027, 5, 2), "sig-0123456789abcdef", "investigating"),
                 review(at(2027, 5, 2, 1), cut, "explained", "data-error"),
                 review(at(2027, 5, 2, 2), cut, "confirmed", "violation"),
                 review(at(2027, 5, 2, 3), changes, "investigating", "no-such-outcome")])


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, description, steps) in enumerate(VECTORS, start=1):
        path = os.path.join(OUT, f"{i:03d}-{name}.json")
        doc = {"description": description, "input": {"steps": steps}, "expected": {}}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=2)
            f.write("\n")
    print(f"wrote {len(VECTORS)} vectors to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
