"""Every write of the 互助金: funds, income and donations (``funds``), the donation import's
commit (``imports``), and the aid applications from submission to payment (``applications``)."""
