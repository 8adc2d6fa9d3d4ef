"""Every write of 考评: 千分制 (``assessment``) and 述职评议 (``review``)."""
