"""collector/store"""
