"""policylint.catalog"""
