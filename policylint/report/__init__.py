"""policylint.report"""
