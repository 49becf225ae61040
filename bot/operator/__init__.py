"""The operator page: how the bot is doing, from its own conversation store, on its own port.

- `channel.py`: the routes under /operator (OPERATOR_TOKEN switches them on), mounted from
  credentials.yml like a channel; imports Rasa and Sanic.
- `cache.py`: the store's turns and ratings kept in memory, refreshed with only the new rows.
- `summary.py`: the tables (and their CSV) for a period; no Rasa import.
- `static/`: the page, its script and style, and Chart.js 4.6.1 (MIT, `chart.js-LICENSE.md`), vendored
  from npm (`npm pack chart.js`, dist/chart.umd.min.js) so the page needs no other host.

The store is read by bot/store_reader.py, the same reader as `make report`. docs/operator.md says
what each figure means and why the page is built this way.
"""
