"""Domain plugins bundled with Xingfeng; each is loaded through the ``xingfeng`` entry-point group."""
