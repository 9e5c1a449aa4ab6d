"""Thaw: a companion for people who feel emotionally numb, and the clinicians who support them."""

__version__ = "0.1.0"
