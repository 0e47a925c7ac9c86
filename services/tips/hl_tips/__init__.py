"""The tips service (有奖举报): tip-offs from the public, their handling, rewards, and the tipster protected."""
