from flask import Blueprint

bp = Blueprint("inspections", __name__, url_prefix="/inspections", template_folder="templates")
