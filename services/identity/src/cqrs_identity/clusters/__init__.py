"""Service Provider Clusters of a commissioner's descendant organisations."""
