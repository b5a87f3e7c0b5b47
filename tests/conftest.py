import os
import sys

import matplotlib

matplotlib.use("Agg")
# lego_reference.py sits beside the tests; make it importable under any rootdir.
sys.path.insert(0, os.path.dirname(__file__))
