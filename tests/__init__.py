"""ai-infra tests: the tree mirrors components/ and policies/."""
