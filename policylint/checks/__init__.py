"""policylint.checks"""
