//! What a unit is. Which unit gets a lead is decided in `forwarding`; this
//! is only the names.

super::closed_set! {
    /// What a unit is; stored as its name (`units.kind`).
    pub enum UnitKind ("unit kind") {
        PoliceStation = "police_station",
        /// The city's command centre: gets what no other unit takes, and
        /// the overdue alerts.
        CommandCenter = "command_center",
        /// A non-police body: market supervision, labour inspection, urban
        /// management, ...
        Department = "department",
    }
}
