"""Client booking pages."""

from flask import Blueprint

bp = Blueprint("bookings", __name__, template_folder="templates")
