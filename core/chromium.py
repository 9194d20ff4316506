"""The browser the project drives (build_guide, and the end-to-end tests): Debian's Chromium, headless, with the
flags that keep it from reaching the network on its own. Playwright cannot download its own browsers here."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
