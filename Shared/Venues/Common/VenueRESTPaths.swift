import DraizerCore

/// The public REST requests Draizer makes, per source (appended to `VenueEndpoints.restBaseURL`).
public enum VenueRESTPaths {
    /// Instrument list (discovery).
    public static func instruments(_ source: SourceId) -> String {
        switch (source.exchange, source.market) {
        case (.binance, .spot): "/api/v3/exchangeInfo"
        case (.binance, .perp): "/fapi/v1/exchangeInfo"
        case (.bybit, .spot): "/v5/market/instruments-info?category=spot&status=Trading&limit=1000"
        case (.bybit, .perp): "/v5/market/instruments-info?category=linear&status=Trading&limit=1000"
        case (.okx, .spot): "/api/v5/public/instruments?instType=SPOT"
        case (.okx, .perp): "/api/v5/public/instruments?instType=SWAP"
        case (.gateio, .spot): "/api/v4/spot/currency_pairs"
        case (.gateio, .perp): "/api/v4/futures/usdt/contracts"
        case (.mexc, .spot): "/api/v3/exchangeInfo"
        case (.mexc, .perp): "/api/v1/contract/detail"
        }
    }

    /// Depth snapshot of one instrument (the venues whose snapshot comes over REST; Bybit and
    /// OKX send theirs on the WebSocket, and their REST books are listed for completeness).
    public static func depthSnapshot(_ source: SourceId, exchangeSymbol symbol: String, limit: Int = 1000) -> String {
        switch (source.exchange, source.market) {
        case (.binance, .spot): "/api/v3/depth?symbol=\(symbol)&limit=\(limit)"
        case (.binance, .perp): "/fapi/v1/depth?symbol=\(symbol)&limit=\(limit)"
        case (.bybit, .spot): "/v5/market/orderbook?category=spot&symbol=\(symbol)&limit=\(min(limit, 200))"
        case (.bybit, .perp): "/v5/market/orderbook?category=linear&symbol=\(symbol)&limit=\(min(limit, 500))"
        case (.okx, _): "/api/v5/market/books?instId=\(symbol)&sz=\(min(limit, 400))"
        case (.gateio, .spot): "/api/v4/spot/order_book?currency_pair=\(symbol)&limit=\(min(limit, 100))&with_id=true"
        case (.gateio, .perp): "/api/v4/futures/usdt/order_book?contract=\(symbol)&limit=\(min(limit, 100))&with_id=true"
        case (.mexc, .spot): "/api/v3/depth?symbol=\(symbol)&limit=\(min(limit, 5000))"
        case (.mexc, .perp): "/api/v1/contract/depth/\(symbol)"
        }
    }
}
