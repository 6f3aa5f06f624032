"""SafeClass: the deepfake-prevention campaign platform (lessons, training, quizzes, campaign tracking)."""

__version__ = "0.1.0"
