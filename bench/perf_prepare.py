"""`perf_plan.py prepare`: the PostgreSQL council the security plan's PERF rows run against (idempotent).

Steps, each skipped when already done:
1. seed 100,000 children with the demo loader (`demo_council_seed`, as `seed_bench.py` does) unless the database
   already holds that many;
2. top the register marks (`feeds.AttendanceSession`, what the school feeds write) up to 1,000,000 rows and the
   audit log (`audit.AuditEvent`, append-only: only inserts) up to 500,000 rows, with INSERT ... SELECT over
   generate_series in PostgreSQL (ON CONFLICT DO NOTHING for the marks' unique key);
3. benchmark accounts, `--accounts` per role (officer, school staff, partner, manager), each with a confirmed TOTP
   device, and the fixture file locust reads (accounts, children, names, open cases, school per school account).
Run in a child process with DJANGO_SETTINGS_MODULE=cme.settings.dev and the bench's DATABASE_URL.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from _common import log

ON = dt.date(2025, 11, 12)  # the seed's "today" (seed_bench.ON)
CHILDREN = 100_000
ATTENDANCE = 1_000_000
AUDIT = 500_000
BENCH_DOMAIN = "perf.example.org"
BENCH_PASSWORD = "bench-password-931-not-secret"  # noqa: S105 - scratch benchmark accounts only
ROLES = {"officer": "cme_officer", "school": "school_user", "partner": "partner_user", "manager": "attendance_manager"}

# Register codes (formats.md §4), weighted roughly like a real register: mostly present, some absences.
_CODES = "ARRAY[" + ",".join(f"'{c}'" for c in ["/", "\\"] * 8 + list("LIMONGCU")) + "]"  # 24 codes


def seed_if_needed(children: int) -> float:
    from django.core.management import call_command

    from cme.children.models import Child

    call_command("migrate", verbosity=0)
    have = Child.objects.count()
    if have >= children:
        log(f"prepare: {have:,} children already seeded")
        return 0.0
    if have:
        raise SystemExit(f"The database holds {have:,} children, fewer than {children:,}: give prepare an empty "
                         "database (or drop this one) rather than seeding on top.")
    from cme.demo.services import demo_council_seed

    started = time.perf_counter()
    log(f"prepare: seeding {children:,} children (a few minutes)")
    demo_council_seed(children=children, seed=0, on=ON, progress=lambda stage, n: log(f"  {stage}: {n:,}"))
    return time.perf_counter() - started


def top_up_attendance(target: int) -> tuple[int, float]:
    """Morning and afternoon marks on school days before ON for children on a roll, until `target` rows."""
    from django.db import connection

    from cme.children.models import Enrolment
    from cme.feeds.models import AttendanceSession

    table, enrol = AttendanceSession._meta.db_table, Enrolment._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for days in (14, 28, 70, 140, 280):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - our own table name
            have = cursor.fetchone()[0]
            if have >= target:
                break
            log(f"prepare: attendance {have:,} rows, adding up to {target - have:,} ({days} calendar days)")
            cursor.execute(f"""
                INSERT INTO {table} (child_id, school_id, date, session, code)
                SELECT e.child_id, e.school_id, d::date, s.session,
                       ({_CODES})[1 + ((e.child_id * 7919 + (d::date - DATE '2000-01-01') * 31) %% 24)]
                FROM (SELECT DISTINCT ON (child_id) child_id, school_id FROM {enrol}
                      WHERE "end" IS NULL ORDER BY child_id, start DESC) e
                CROSS JOIN generate_series(%s::date - %s, %s::date - 1, interval '1 day') d
                CROSS JOIN (VALUES ('AM'), ('PM')) s(session)
                WHERE extract(isodow FROM d) < 6
                ORDER BY d DESC, e.child_id
                LIMIT %s
                ON CONFLICT DO NOTHING""", [ON, days, ON, target - have])  # noqa: S608 - our own table names
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0], time.perf_counter() - started


def top_up_audit(target: int) -> tuple[int, float]:
    """Past read, search and change events by the council's staff about its children, until `target` rows."""
    from django.db import connection

    from cme.accounts.models import User
    from cme.audit.models import AuditEvent
    from cme.children.models import Child

    table = AuditEvent._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        have = cursor.fetchone()[0]
        if have < target:
            staff = list(User.objects.filter(role__in=["cme_officer", "attendance_manager", "ehe_officer"])
                         .order_by("pk").values_list("pk", "email", "role", "local_authority_id")[:50])
            lo, hi = Child.objects.order_by("pk").values_list("pk", flat=True)[0], Child.objects.order_by(
                "-pk").values_list("pk", flat=True)[0]
            log(f"prepare: audit {have:,} rows, adding {target - have:,} (by {len(staff)} staff accounts)")
            cursor.execute("CREATE TEMP TABLE perf_staff (n int, id bigint, email text, role text, la bigint)")
            cursor.executemany("INSERT INTO perf_staff VALUES (%s, %s, %s, %s, %s)",
                               [(i, *row) for i, row in enumerate(staff)])
            cursor.execute(f"""
                INSERT INTO {table} (at, actor_id, actor_label, actor_role, local_authority_id, action,
                    object_type, object_id, child_id, summary, changes, reason, ip_address, user_agent, path)
                SELECT %s::timestamptz - (g * interval '61 seconds'), u.id, u.email, u.role, u.la,
                       (ARRAY['view','view','view','view','view','view','search','search','update','create'])
                           [1 + g %% 10],
                       'children.child', c::text, c, 'bench history', '{{}}'::jsonb, '', '10.0.0.1', '',
                       '/children/' || c || '/'
                FROM generate_series(1::bigint, %s::bigint) g
                CROSS JOIN LATERAL (SELECT %s + (g * 7919) %% (%s - %s + 1) AS c) ch
                JOIN perf_staff u ON u.n = g %% %s""",  # noqa: S608 - our own table name
                           [dt.datetime.combine(ON, dt.time(17), dt.UTC), target - have, lo, hi, lo, len(staff)])
            cursor.execute("DROP TABLE perf_staff")
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0], time.perf_counter() - started


def recent_leavers(schools: list[Any], per_school: int = 30) -> int:
    """The seed is dated ON (2025), the server runs on today's date: give each bench school `per_school` pupils
    who left in the last 90 days, so its school page lists leavers as a real one would (synthetic rows only)."""
    from django.utils import timezone

    from cme.children.models import Enrolment

    today, changed = timezone.localdate(), 0
    for school in schools:
        have = Enrolment.objects.filter(school=school, end__gte=today - dt.timedelta(days=80)).count()
        if have >= per_school:
            continue
        for i, enrolment in enumerate(Enrolment.objects.filter(school=school, end__isnull=True)
                                      .order_by("pk")[:per_school - have]):
            enrolment.end = today - dt.timedelta(days=1 + (i * 7) % 60)
            enrolment.deletion_ground = "B"  # registered at another school
            enrolment.save(update_fields=["end", "deletion_ground"])
            changed += 1
    if changed:
        log(f"prepare: {changed} recent leavers at the {len(schools)} bench schools")
    return changed


def accounts(per_role: int) -> dict[str, list[dict[str, str]]]:
    """`per_role` accounts of each role, each with a confirmed TOTP device; failed sign-ins reset."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count, Q
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cme.accounts.models import User
    from cme.core.models import LocalAuthority, Organisation

    la = LocalAuthority.objects.order_by("pk").first()
    if la is None:
        raise SystemExit("No local authority in the database: the seed did not run.")
    la_org = Organisation.objects.filter(local_authority=la, kind=Organisation.Kind.LOCAL_AUTHORITY).first()
    partners = list(Organisation.objects.filter(local_authority=la, kind=Organisation.Kind.PARTNER).order_by("pk"))
    # The 20 open schools with the most leavers: their school page lists recent leavers (if any are recent).
    schools = list(Organisation.objects.filter(local_authority=la, kind=Organisation.Kind.SCHOOL,
                                               school__is_open=True)
                   .annotate(n=Count("school__enrolments", filter=Q(school__enrolments__end__isnull=False)))
                   .order_by("-n", "pk")[:20])
    recent_leavers([o.school for o in schools])
    hashed = make_password(BENCH_PASSWORD)  # one hash for all (hashing 400 times would take minutes)
    out: dict[str, list[dict[str, str]]] = {}
    for kind, role in ROLES.items():
        out[kind] = []
        for i in range(per_role):
            org = {"school": schools[i % len(schools)] if schools else None,
                   "partner": partners[i % len(partners)] if partners else None}.get(kind, la_org)
            email = f"perf.{kind}.{i}@{BENCH_DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User(email=email, full_name=f"Perf {kind.title()} {i}", role=role, local_authority=la,
                            organisation=org, password=hashed)
                user.save()
            User.objects.filter(pk=user.pk).update(failed_sign_in_count=0, locked_until=None)
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
                user=user, name="Bench authenticator", confirmed=True)
            out[kind].append({"email": email, "password": BENCH_PASSWORD, "totp_hex": device.key})
    return out


def fixture(per_role: int, path: Path) -> None:
    from cme.cases.models import Case
    from cme.children.models import Child, ChildName

    la_children = Child.objects.filter(is_restricted=False).order_by("?").values_list("pk", flat=True)[:500]
    children = list(la_children)
    names = list(ChildName.objects.filter(child_id__in=children[:200], kind="legal")
                 .values_list("forename", "surname")[:200])
    cases = list(Case.objects.filter(closed_at__isnull=True, child__is_restricted=False).order_by("pk")
                 .values_list("pk", flat=True)[:500])
    path.write_text(json.dumps({"accounts": accounts(per_role), "children": children, "names": names,
                                "cases": cases}), encoding="utf-8")


def counts() -> dict[str, int]:
    from cme.audit.models import AuditEvent
    from cme.cases.models import Case
    from cme.children.models import Child
    from cme.feeds.models import AttendanceSession

    return {"children": Child.objects.count(), "attendance rows": AttendanceSession.objects.count(),
            "audit rows": AuditEvent.objects.count(), "cases": Case.objects.count()}


def main(per_role: int, out: Path, *, children: int = CHILDREN, attendance: int = ATTENDANCE,
         audit: int = AUDIT) -> dict[str, object]:
    import django

    django.setup()
    started = time.perf_counter()
    seeded = seed_if_needed(children)
    n_att, t_att = top_up_attendance(attendance)
    t0 = time.perf_counter()
    fixture(per_role, out)  # before the audit top-up: its events are by staff accounts, these among them
    t_accounts = time.perf_counter() - t0
    n_audit, t_audit = top_up_audit(audit)
    if n_audit < audit:
        log(f"prepare: only {n_audit:,} audit rows")
    from django.db import connection

    with connection.cursor() as cursor:  # planner statistics for the bulk-loaded rows, as autovacuum would in time
        cursor.execute("ANALYZE")
    report = {"counts": counts(), "seconds": {"seed": round(seeded, 1), "attendance": round(t_att, 1),
                                              "audit": round(t_audit, 1),
                                              "accounts": round(t_accounts, 1),
                                              "total": round(time.perf_counter() - started, 1)}}
    if n_att < attendance:
        log(f"prepare: only {n_att:,} attendance rows could be made (not enough enrolled children)")
    log(f"prepare: {json.dumps(report)}")
    return report
