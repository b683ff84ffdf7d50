"""The Telegram adapter, the only package that imports `telegram`. It has two floors.

The plumbing lives at the top: `app` (wiring the Application), `runner` (`tutor-bot run`),
`ratelimit` (pacing and retries of every request), `outbox` (per-group send queues), `updates`
(different users at once, each user's updates in order), `send` (edits, "not modified",
inaccessible messages, "may not post here"), `limits` (the last length check), `webhook`,
`scheduling` (named jobs, and every job name), `errors`, `guards` (flood control), `heartbeat`,
`state` and `memory` (what handlers share, per feature), `callbacks` (every button's data and
the pattern each handler registers with), `render`, `addressing`, `admins`, `flood`, `logs`.

The features live below: `views/<feature>.py` are pure functions from service results to HTML
and keyboards; `handlers/<feature>.py` narrow an update, call one service, call a view, send.
"""
