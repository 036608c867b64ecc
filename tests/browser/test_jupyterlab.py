"""A learner in a real browser (Debian's Chromium driven by Playwright): log in, JupyterLab, the course."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import log_in


def listing_entry(page, name: str):
    return page.locator(".jp-DirListing-item").filter(
        has=page.locator(".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(name)}$"))
    )


def test_learner_logs_in_and_sees_the_course_in_jupyterlab(stack, browser, output_dir):
    password = stack.cli_json("users", "add", "browser-learner")["password"]
    page = log_in(browser, stack.url, "browser-learner", password)

    # The hub spawns the server and redirects into JupyterLab.
    page.wait_for_url("**/user/browser-learner/lab**")
    course = listing_entry(page, "course")
    expect(course).to_be_visible()
    course.dblclick()
    expect(listing_entry(page, "zh")).to_be_visible()
    expect(listing_entry(page, "en")).to_be_visible()
    # Chinese first: the interface speaks the admin's default language (COURSEHUB_LANGUAGE=zh_CN).
    expect(page.locator("#jp-MainMenu")).to_contain_text("文件")

    screenshots = output_dir / "browser"
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "jupyterlab-course.png"))
    page.close()
