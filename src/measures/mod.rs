pub mod e2sfca;
