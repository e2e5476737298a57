"""Every page works without JavaScript: a journey with it turned off in the browser."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect


def test_log_in_and_review_pending_actions_without_javascript(
    browser: Browser, portal_url: str, api: Any
) -> None:
    """Forms, conditional reveals and the error summary do their job with JavaScript off."""
    api.register("Nora", "Noscript", "E85011", None)
    context = browser.new_context(java_script_enabled=False, base_url=portal_url)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill("uma.user-admin@demo.cqrs.local")
    page.get_by_label("Password", exact=True).fill("CQRS-demo-2025!")
    page.get_by_role("button", name="Log in").click()
    page.locator("#maincontent").get_by_role("link", name="Pending Actions").click()
    page.get_by_role("button", name="Review Nora Noscript").click()
    page.get_by_role("radio", name="Reject").check()
    page.get_by_label("If you reject, the reason").fill("Please register with your own work address.")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Nora Noscript's request has been rejected")).to_be_visible()
    context.close()
