"""Report formats: renderers of one :class:`jgview.models.Analysis`; none re-derives anything."""
