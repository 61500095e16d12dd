"""Use cases of the parking context; the renewal's payment starts in
``estate_core.payments.services.parking`` and completes in the settlement."""
