"""Each staff role logs in with TOTP and sees only its own console sections."""

import pytest

from app.accounts.models import Role
from tests.e2e.conftest import assert_accessible, snap, staff_login
from tests.factories import StaffFactory

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VERIFIER, Role.MODERATOR, Role.FINANCE])
def test_staff_role_sees_its_sections(page, base, role):
    user = StaffFactory(roles=[role], first_name="Sam")
    staff_login(page, base, user)
    nav = page.get_by_role("navigation", name="Console sections")
    nav.wait_for()
    links = nav.get_by_role("link").all_inner_texts()
    assert "Home" in links
    assert ("Outbox" in links) == (role == Role.ADMIN)  # mails carry personal data: admins only
    assert ("Accounts" in links) == (role == Role.ADMIN)
    assert ("Audit log" in links) == (role == Role.ADMIN)
    assert_accessible(page)
    snap(page, f"staff-home-{role.value}")
