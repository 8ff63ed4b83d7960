"""policylint.model"""
