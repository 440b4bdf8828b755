"""VAL-1 (SECURITY-PLAN; ASVS v5.0.0 2.2.1, 4.1.1; v4.0.3 13.2.2): schemathesis fuzz of the JSON API, in-process,
with all its checks, authenticated as each role.

Every operation of the OpenAPI document gets FUZZ_EXAMPLES generated requests (schema-valid and schema-invalid,
drawn by hypothesis from the document), each sent with the API token of a role that holds the operation's
permission (drawn in turn from those roles, so each of them fuzzes it), then REFUSAL_EXAMPLES requests as the
roles that do not hold it. All 8 roles reach the API with a token; a role's token is its user's, so the same
policy applies. Every response is validated with schemathesis's checks as configured (`api_world.CONFIG`): no
5xx (`not_a_server_error`), status code, content type, headers and body as documented, schema-invalid data
refused with a 4xx (`negative_data_rejection`), schema-valid data not refused except by the business rules the
document cannot express (422), missing headers, unsupported methods and `Allow`, and `ignored_auth` on every 2xx.
The two stateful checks (`use_after_free`, `ensure_resource_availability`) and `object_level_authorization` need
schemathesis's stateful engine and do nothing here; AC-9 (`test_api_bola.py`) covers object-level access.
Run with `-s` for the figures ("N operations, M requests, 0 5xx, 0 schema violations").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, is_check_class, load_all_checks

from cme.accounts.policy import PERMISSIONS
from cme.accounts.roles import Role
from tests.security.api_world import REQUESTS, Council, councils_built, schema
from tests.security.test_access_matrix import API_ACTIONS

FUZZ_EXAMPLES = 100  # per operation, split among the roles holding its permission
REFUSAL_EXAMPLES = 10  # per operation, among the roles without it

OPERATIONS = {result.ok().definition.raw["operationId"]: result.ok() for result in schema.get_all_operations()}
TALLY: Counter[str] = Counter()
STATUSES: Counter[str] = Counter()
ROLE_CALLS: Counter[str] = Counter()


@pytest.fixture(scope="module")
def councils(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Council]]:
    with councils_built(django_db_blocker) as built:
        yield built


def _roles(op_id: str) -> tuple[list[str], list[str]]:
    allowed = PERMISSIONS[API_ACTIONS[op_id]]
    return sorted(r.value for r in Role if r in allowed), sorted(r.value for r in Role if r not in allowed)


def _fuzz(operation: Any, council: Council, roles: list[str], examples: int) -> None:
    strategy = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                         operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy, role=st.sampled_from(roles))
    def run(case: Any, role: str) -> None:
        cache.clear()  # API rate-limit counters: a fuzz sends more than a token's minute allowance
        before = REQUESTS["all"]
        response = case.call_and_validate(headers=council.headers(role))  # every check enabled in the config
        TALLY["requests"] += REQUESTS["all"] - before
        TALLY["examples"] += 1
        TALLY["5xx"] += response.status_code >= 500
        STATUSES[str(response.status_code)] += 1
        ROLE_CALLS[role] += 1

    run()


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_val1_fuzz_every_operation_as_every_role(op_id: str, councils: dict[str, Council], db: None) -> None:
    allowed, refused = _roles(op_id)
    assert allowed, f"{op_id}: no role may call it"
    _fuzz(OPERATIONS[op_id], councils["A"], allowed, FUZZ_EXAMPLES)
    if refused:
        _fuzz(OPERATIONS[op_id], councils["A"], refused, REFUSAL_EXAMPLES)
    TALLY["operations"] += 1


def enabled_checks() -> list[str]:
    """The checks `call_and_validate` runs by default: every registered check enabled in the configuration."""
    load_all_checks()
    config = schema.config.checks_config_for()
    return sorted(check.__name__ for check in CHECKS.get_all()
                  if not is_check_class(check) and config.get_by_name(name=check.__name__).enabled)


def test_val1_all_builtin_checks_are_enabled() -> None:
    assert set(enabled_checks()) >= {
        "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
        "response_schema_conformance", "negative_data_rejection", "positive_data_acceptance",
        "missing_required_header", "unsupported_method", "allow_header_conformance", "ignored_auth"}


def test_val1_zz_figures() -> None:
    """Printed for SECURITY.md (`-s`); runs after the fuzz of this module."""
    if not TALLY["operations"]:
        pytest.skip("the figures need the fuzz of this module to run first")
    print(f"\nVAL-1: {TALLY['operations']} operations, {TALLY['examples']} generated requests "  # noqa: T201
          f"({TALLY['requests']} requests with the checks' own), {TALLY['5xx']} 5xx, 0 schema violations "
          f"(a violation fails the fuzz); statuses {dict(sorted(STATUSES.items()))}; "
          f"examples per role {dict(sorted(ROLE_CALLS.items()))}; checks {', '.join(enabled_checks())}")
    assert TALLY["operations"] == len(OPERATIONS) and TALLY["5xx"] == 0
