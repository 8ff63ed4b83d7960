"""policylint.evaluate"""
