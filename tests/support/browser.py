"""Helpers for browser tests."""

from __future__ import annotations


def log_in(browser, hub_url: str, name: str, password: str, next_url: str = ""):
    """A new page, logged in through the hub's login form (then where ``next_url`` leads)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(180_000)
    page.goto(f"{hub_url}/hub/login" + (f"?next={next_url}" if next_url else ""))
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    return page
