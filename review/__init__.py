"""The moderation queue: reviewers work through flagged initiatives with the evidence."""
