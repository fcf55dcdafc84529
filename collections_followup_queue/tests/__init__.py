from . import test_run_in_jobs
