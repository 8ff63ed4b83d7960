"""policylint.rules"""
