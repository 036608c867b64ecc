"""The course catalogue on the hub's home page opens the right notebook in JupyterLab."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.browser import log_in

NOTEBOOK = "zh/part1-fundamentals/02-tensors.ipynb"


def test_catalogue_link_opens_the_notebook(stack, browser, output_dir):
    password = stack.cli_json("users", "add", "catalogue-reader")["password"]
    page = log_in(browser, stack.url, "catalogue-reader", password, "/hub/home")

    catalogue = page.locator("#course-catalogue")
    expect(catalogue).to_contain_text("第 3 部分 · 实战案例")  # Chinese first, every part
    expect(page.locator("#course-version")).to_have_text(stack.cli_json("course", "log")[0]["label"])
    (output_dir / "browser").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(output_dir / "browser" / "home-catalogue.png"), full_page=True)

    page.locator(f"a.course-notebook[data-path='{NOTEBOOK}']").click()
    page.wait_for_url(f"**/lab/tree/course/{NOTEBOOK}**")
    # The notebook opens as a document tab in JupyterLab.
    expect(page.locator(".jp-NotebookPanel")).to_be_visible()
    expect(page.locator(".lm-TabBar-tabLabel", has_text="02-tensors.ipynb")).to_be_visible()
    page.screenshot(path=str(output_dir / "browser" / "catalogue-opened-notebook.png"))
    page.close()
