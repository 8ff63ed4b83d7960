"""policylint.schema"""
