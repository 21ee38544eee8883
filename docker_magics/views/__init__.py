"""The presentation layer: results, frames, progress displays, forms and charts.

Nothing here talks to the engine: views turn the engine layer's plain values into what a notebook shows.
pandas and ipywidgets are imported only by the modules that need them, when a command needs them.
"""
