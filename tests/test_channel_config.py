"""Fast checks, no servers: which channels the environment switches on, and the channels' helpers."""
import subprocess
import sys

import pytest
import yaml

from bot.channels import config
from bot.channels.shared import RecentIds, split_text, typed_text, utf16_length
from tests.servers import ROOT

SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-secret-value", "SLACK_SIGNING_SECRET": "signing-secret-value"}
TELEGRAM_ENV = {"TELEGRAM_TOKEN": "123:secret-value", "TELEGRAM_BOT_NAME": "bpo_bot",
                "TELEGRAM_WEBHOOK_URL": "https://example.test/webhooks/telegram/webhook"}
BASE = {"rest": None, "bot.channels.webchat.WebChatInput": {"title": "x"}}


def test_no_platform_variables_keep_the_base_channels_only():
    assert config.credentials(BASE, {}) == BASE
    assert config.credentials(BASE, {"SLACK_CHANNEL": "", "TELEGRAM_TOKEN": "  "}) == BASE


def test_each_platform_is_added_with_references_not_values():
    channels = config.credentials(BASE, {**SLACK_ENV, **TELEGRAM_ENV, "SLACK_CHANNEL": "C0123"})
    assert list(channels)[:2] == list(BASE)
    assert channels["bot.channels.slack.SlackChannel"] == {
        "slack_token": "${SLACK_BOT_TOKEN}", "slack_signing_secret": "${SLACK_SIGNING_SECRET}",
        "slack_channel": "${SLACK_CHANNEL}"}
    assert channels["bot.channels.telegram.TelegramChannel"]["access_token"] == "${TELEGRAM_TOKEN}"
    text = config.render(channels, ROOT / "credentials.yml")
    assert "secret-value" not in text
    assert yaml.safe_load(text) == channels


@pytest.mark.parametrize("env, missing", [
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ({"SLACK_CHANNEL": "C0123"}, "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"),
    ({"TELEGRAM_TOKEN": "1:a", "TELEGRAM_BOT_NAME": "b"}, "TELEGRAM_WEBHOOK_URL"),
])
def test_a_half_configured_channel_names_what_is_missing(env, missing):
    with pytest.raises(config.ConfigError, match=f"{missing} missing"):
        config.credentials(BASE, env)


def test_malformed_values_are_refused_without_echoing_them():
    with pytest.raises(config.ConfigError) as error:
        config.credentials(BASE, {**TELEGRAM_ENV, "TELEGRAM_TOKEN": "not-a-token-value"})
    assert "not-a-token-value" not in str(error.value)
    with pytest.raises(config.ConfigError, match="channel id"):
        config.credentials(BASE, {**SLACK_ENV, "SLACK_CHANNEL": "#general"})


def test_stock_entries_for_the_platforms_are_replaced():
    base = {**BASE, "slack": {"slack_token": "${SLACK_TOKEN}"}, "telegram": {"access_token": "x"}}
    assert config.credentials(base, {}) == BASE


def test_the_command_exits_non_zero_naming_the_missing_variable(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TELEGRAM_TOKEN": "123:secret-value"}
    done = subprocess.run([sys.executable, "-m", "bot.channels.config", "--out", str(tmp_path / "c.yml")],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert "TELEGRAM_BOT_NAME" in done.stderr and "TELEGRAM_WEBHOOK_URL" in done.stderr
    assert "secret-value" not in done.stderr
    assert not (tmp_path / "c.yml").exists()
    ok = subprocess.run([sys.executable, "-m", "bot.channels.config"], cwd=ROOT, capture_output=True, text=True,
                        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert ok.returncode == 0 and "bot.channels.rest.ValidatedRestInput" in yaml.safe_load(ok.stdout)


def test_split_text_keeps_paragraphs_then_lines_then_words():
    assert split_text("short", 10) == ["short"]
    assert split_text("  ", 10) == [] and split_text(None, 10) == []
    assert split_text("aaaa\n\nbbbb\n\ncccc", 10) == ["aaaa\n\nbbbb", "cccc"]
    assert split_text("one two three four", 9) == ["one two", "three", "four"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    pieces = split_text("🙂" * 10, 8, utf16_length)
    assert [utf16_length(p) for p in pieces] == [8, 8, 4]


def test_recent_ids_forget_after_their_window_and_stay_bounded():
    now = [0.0]
    recent = RecentIds(seconds=60, capacity=3, clock=lambda: now[0])
    assert recent.first_time("a") and not recent.first_time("a")
    assert recent.first_time(None) and recent.first_time(None)  # no id: never a duplicate
    now[0] = 61
    assert recent.first_time("a")
    for key in "bcd":
        recent.first_time(key)
    assert len(recent._seen) <= 3


def test_typed_text_never_becomes_an_intent_payload():
    commands = {"start": "/greet", "help": "/ask_capabilities"}
    assert typed_text("/start", commands) == "/greet"
    assert typed_text("/start campaign-42", commands) == "/greet"
    assert typed_text("/HELP@bpo_bot", commands) == "/ask_capabilities"
    assert typed_text('/ask_role{"role": "x"}', commands) == 'ask_role{"role": "x"}'
    assert typed_text("/ shift timings", commands) == "shift timings"
    assert typed_text("what is bpo", commands) == "what is bpo"
