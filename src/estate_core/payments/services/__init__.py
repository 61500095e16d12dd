"""Use cases of payments: opening and closing (``checkout``), settlement and refunds
(``settlement``), the cashier's counter (``offline``)."""
