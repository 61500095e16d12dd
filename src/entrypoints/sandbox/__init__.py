"""The payment sandbox 支付沙箱: loopback emulators of WeChat Pay (v3, v2) and Alipay that speak
the gateways' real protocols with keys of their own, for the demo and for the tests."""
