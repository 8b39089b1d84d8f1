"""The interactive app: the hierarchy as a network, live plots and a panel of levers.

`tiaokuai viz` (see `sim.viz.cli`) serves `sim.viz.app.Page` with Solara. The pieces:
`layout` places the offices once, `network` and `plots` draw a frame, `panel` holds the
levers the side panel offers, `session` builds and steps a model from the panel's
choices. Only `app` imports Solara.
"""
