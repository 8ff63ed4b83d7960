"""policylint.source"""
