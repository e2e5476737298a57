"""What each provider may claim for, built from participation's events only."""
