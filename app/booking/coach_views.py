"""The coach's availability pages."""

from flask import Blueprint

bp = Blueprint("availability", __name__, template_folder="templates", url_prefix="/coach")
