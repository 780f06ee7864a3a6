"""Small, dependency-light helpers shared by several features."""
